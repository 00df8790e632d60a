"""``judgebench recipe``: list the data recipes, or run one to make challenging pairs."""

from __future__ import annotations

import argparse
import json

from ._flags import add_call_arguments, call_options, positive_int, seed_value


def non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def unit_float(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return value

HELP = "make challenging pairs from problems with checkable answers (data_recipes/*.yaml): `recipe list`, `recipe run NAME`"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="recipe_command", metavar="SUBCOMMAND", required=True)
    ls = sub.add_parser("list", help="list the recipes in data_recipes/", description="list the recipes in data_recipes/")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    run = sub.add_parser("run", help="run a recipe: problems -> responses -> grades -> pairs", description="run a recipe: problems -> responses -> grades -> pairs")
    run.add_argument("name", help="recipe name (see `judgebench recipe list`) or path to a recipe .yaml")
    run.add_argument("--generator", default=None, help="model that answers the problems, as BACKEND:NAME (e.g. openai:gpt-4o, vllm:Qwen/Qwen2.5-7B-Instruct)")
    run.add_argument("--k", type=int, default=10, help="responses sampled per problem (default 10)")
    run.add_argument("--responses", default=None, help="import responses from this JSONL file instead of sampling (layout from the recipe, else problem_id/response/generator columns)")
    run.add_argument("--graded", default=None, metavar="FILE", help="responses whose correctness you already know, paired without grading: rows with problem_id, response, correct (true/false); or problem_id, chosen, rejected; or problem_id, responses: [{response, correct}] (docs/recipes.md)")
    run.add_argument("--id-field", default=None, metavar="COLUMN", help="the problems' id column, which --responses/--graded rows name in problem_id (default: the recipe's id_field or fields.id, else `id` when the problems have it)")
    run.add_argument("--temperature", type=non_negative_float, default=None, help="sampling temperature (default: the recipe's generation.temperature, else 0); k > 1 at 0 gives identical samples")
    run.add_argument("--top-p", type=unit_float, default=None, help="nucleus sampling top_p (default: the recipe's, else the server's)")
    run.add_argument("--length-balanced", action="store_true", default=None, help="choose pairs so that the longer response is the correct one in as close to half of them as the data allows")
    run.add_argument("--problems", default=None, help="read problems from this local file (.jsonl, .jsonl.gz, .json, .parquet) instead of the recipe's source")
    run.add_argument("--out", default=None, help="output folder (default results/recipes/<name>)")
    run.add_argument("--limit", type=positive_int, default=None, help="only the first N problems")
    run.add_argument("--workers", type=positive_int, default=2, help="parallel graders: math-verify processes or sandboxed programs (default 2)")
    run.add_argument("--seed", type=seed_value, default=None, help="seed for sampling and A/B placement (default: the recipe's pairing seed)")
    add_call_arguments(run)  # for the generator; --executor ray fans grading out
    run.add_argument("--no-dataset", action="store_true", help="do not write the Hugging Face dataset folder")
    run.add_argument("--push-to-hub", default=None, metavar="REPO", help="also push the pairs to this Hugging Face dataset repo")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.add_argument("--allow-weak-sandbox", action="store_true", help="code: run programs even where only the weak audit-hook sandbox works (README: The code sandbox; same as JUDGEBENCH_ALLOW_WEAK_SANDBOX=1)")


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..recipes import list_recipes, load_recipe, run_recipe

    if args.recipe_command == "list":
        recipes = list_recipes()
        if args.json:
            print(json.dumps([{"name": r.name, "grader": r.grader, "problems": r.problems.hf or r.problems.file, "description": r.description} for r in recipes], indent=2))
            return 0
        width = max((len(r.name) for r in recipes), default=0)
        for r in recipes:
            print(f"{r.name:<{width}}  [{r.grader}]  {r.description}  ({r.problems.hf or r.problems.file})")
        return 0
    if args.allow_weak_sandbox:
        from ..sandbox import allow_weak_sandbox

        allow_weak_sandbox()
    recipe = load_recipe(args.name)
    if args.k < 1:
        raise InputError(f"--k must be >= 1, got {args.k}", field="--k")
    given = [flag for flag, value in (("--generator", args.generator), ("--responses", args.responses), ("--graded", args.graded)) if value is not None]
    if len(given) > 1:
        raise InputError(f"give one of --generator (sample), --responses (import and grade) or --graded (import with labels), not {' and '.join(given)}", field=given[-1])
    if args.generator is None and (args.temperature is not None or args.top_p is not None):
        raise InputError("applies to sampling with --generator, not to imported responses", field="--temperature" if args.temperature is not None else "--top-p")
    generator = None
    if args.generator is not None:
        from ..recipes.generate import GeneratorSpec

        generator = GeneratorSpec(model=args.generator, seed=args.seed or 0, **call_options(args))
    summary = run_recipe(
        recipe,
        args.out or f"results/recipes/{recipe.name}",
        generator=generator,
        k=args.k,
        responses_file=args.responses,
        problems_file=args.problems,
        limit=args.limit,
        workers=args.workers,
        seed=args.seed,
        save_dataset=not args.no_dataset,
        push_to_hub=args.push_to_hub,
        executor=args.executor,
        ray_address=args.address,
        graded_file=args.graded,
        id_field=args.id_field,
        temperature=args.temperature,
        top_p=args.top_p,
        length_balanced=args.length_balanced,
    )
    print(json.dumps(summary.to_dict(), indent=2) if args.json else summary.render())
    if summary.pairs == 0:  # warned with the reason; a run that made nothing must not pass for a clean one (docs/recipes.md)
        return 1
    return 0
