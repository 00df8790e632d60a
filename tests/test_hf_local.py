"""The local Hugging Face reward-model path, for real and without the hub: a tiny random-weight sequence
classifier is built from a config, saved to a temporary folder and loaded through the ``hf:`` backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from judgebench.run.runner import RunSpec, run
from judgebench.schema import Decision

from .conftest import make_pair, write_jsonl

torch = pytest.importorskip("torch", reason="torch is the [hf] extra (pip install 'judgebench[hf]')")
transformers = pytest.importorskip("transformers", reason="transformers is the [hf] extra")


def build_tiny_reward_model(folder: Path) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + [f"w{i}" for i in range(50)] + ["question", "answer", "alpha", "beta"] + [str(i) for i in range(40)] + ["?"]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]")
    fast.save_pretrained(folder)
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, num_labels=1, max_position_embeddings=128)
    transformers.BertForSequenceClassification(config).eval().save_pretrained(folder)
    return folder


def reference_score(folder: Path, question: str, response: str) -> float:
    tok = transformers.AutoTokenizer.from_pretrained(folder)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(folder).eval()
    with torch.no_grad():
        return float(model(**tok(question, response, return_tensors="pt")).logits[0, 0])


def test_hf_reward_model_scores_pairs_like_direct_inference(tmp_path: Path) -> None:
    folder = build_tiny_reward_model(tmp_path / "rm")
    rows = [make_pair(i, response_A=f"answer alpha {i} w{i}", response_B=f"answer beta {i + 1} w{2 * i}", question=f"question {i} ?") for i in range(8)]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    out = run(RunSpec(data=str(data), judge="reward_model", model=f"hf:{folder}", results_dir=str(tmp_path / "r"), cache_dir=str(tmp_path / "c"), progress=False))
    assert out.run_info["games"] == 1
    for r in out.results:
        sa = reference_score(folder, r.pair.question, r.pair.response_A)
        sb = reference_score(folder, r.pair.question, r.pair.response_B)
        g = r.games[0]
        assert g.scores == pytest.approx((sa, sb), abs=1e-5)
        assert g.decision == (Decision.A_BETTER if sa > sb else Decision.B_BETTER)


def test_hf_missing_model_folder_is_a_clear_failure(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "pairs.jsonl", [make_pair(0)])
    from judgebench.errors import JudgebenchError

    with pytest.raises(JudgebenchError, match="cannot load reward model"):
        run(RunSpec(data=str(data), judge="reward_model", model=f"hf:{tmp_path / 'nope'}", results_dir=str(tmp_path / "r"), cache=False, progress=False))
