"""``judgebench fake-server``: a simulated judge on 127.0.0.1 that speaks the OpenAI API (try judgebench without a key)."""

from __future__ import annotations

import argparse

from ._flags import non_negative_float, port_number, probability, seed_value

HELP = "serve a simulated judge (OpenAI chat API + vLLM /pooling) on 127.0.0.1 for trying judgebench without a key"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=port_number, default=8000, help="port on 127.0.0.1 (default 8000)")
    p.add_argument("--pairs", default=None, help="pairs that give the simulator the truth (FILE, FOLDER, judgebench:gpt, ...)")
    p.add_argument("--items", default=None, help="items that give the simulator the truth of rating, four-way and ranking prompts (BENCHMARK or FILE, read by load_items)")
    p.add_argument("--data-dir", default=None, help="a local copy of the benchmark named by --pairs or --items (default: its own variable, e.g. $JUDGEBENCH_PAIRS_DIR)")
    p.add_argument("--accuracy", type=probability, default=0.8, help="probability that the simulated judge knows a pair's answer and picks the correct response; otherwise it picks by --position-bias, so the share of correct answers is higher (0.9 at the defaults) (default 0.8)")
    p.add_argument("--position-bias", type=probability, default=0.5, help="when unsure, probability of picking the first position (default 0.5)")
    p.add_argument("--latency", type=non_negative_float, default=0.0, help="seconds per call")
    p.add_argument("--failure-rate", type=probability, default=0.0, help="share of calls that fail (429, 500, 503, reset, timeout, truncated JSON, empty choices/content)")
    p.add_argument("--rating-noise", type=non_negative_float, default=1.0, help="sd of the Gaussian noise on a known response's mean rating (default 1.0)")
    p.add_argument("--seed", type=seed_value, default=0, help="seed of the simulated judge's choices and failures (default 0)")


def run(args: argparse.Namespace) -> int:
    from ..benchmarks import load_items, load_pairs
    from ..errors import InputError
    from ..testing.fake_server import FakeConfig, FakeJudgeServer

    pairs = load_pairs(args.pairs, local_dir=args.data_dir) if args.pairs else []
    items = list(load_items(args.items, data_dir=args.data_dir).items) if args.items else []
    cfg = FakeConfig(accuracy=args.accuracy, position_bias=args.position_bias, latency=args.latency, failure_rate=args.failure_rate, seed=args.seed, rating_noise=args.rating_noise)
    server = FakeJudgeServer(cfg, pairs, items=items, port=args.port)
    print(f"fake judge on http://127.0.0.1:{args.port}/v1 ({len(pairs)} pairs, {len(items)} items known, accuracy {cfg.accuracy}, position bias {cfg.position_bias}); Ctrl-C stops", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    except OSError as e:  # the port is taken, or not ours to bind
        raise InputError(f"cannot listen on 127.0.0.1:{args.port} ({e.strerror or e}); pick another port (0: any free one)", field="--port") from None
    return 0
