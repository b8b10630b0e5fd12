"""`genuine classify` and `genuine model train` through click's test runner."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from genuine.commands.model import classify, model
from tests.conftest import dataset_file


def _rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.fixture(scope="module")
def cresci(datasets_dir):
    return dataset_file(datasets_dir, "cresci-2015/users_train.csv")


def run_classify(path, fmt, out, *extra):
    result = CliRunner().invoke(
        classify, [str(path), "--format", fmt, "--output", str(out), *extra]
    )
    return result


def test_classify_one_row_per_account_in_order(cresci, tmp_path):
    out = tmp_path / "out.csv"
    result = run_classify(cresci, "twitter-v1", out)
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    src = _rows(cresci)
    assert rows[0] == ["row", "handle", "fake_probability", "is_fake"]
    assert len(rows) == len(src)
    sn = src[0].index("screen_name")
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(len(src) - 1)]
    assert [r[1] for r in rows[1:]] == [s[sn].lower() for s in src[1:]]
    probs = [float(r[2]) for r in rows[1:]]
    assert all(0 <= p <= 1 for p in probs)
    assert [r[3] for r in rows[1:]] == [str(int(p >= 0.5)) for p in probs]
    # In-sample sanity: humans come first in the file, bought followers after.
    labels = [s[-1] for s in src[1:]]
    wrong = sum((p >= 0.5) != (lab == "fake") for p, lab in zip(probs, labels, strict=True))
    assert wrong / len(labels) < 0.02


def test_labels_are_never_read(cresci, tmp_path):
    src = _rows(cresci)
    header = src[0]
    flip = {"human": "fake", "fake": "human"}
    label_cols = [i for i, h in enumerate(header) if h in ("label", "dataset")]
    flipped = [header] + [
        [flip.get(v, "XXX") if i in label_cols else v for i, v in enumerate(row)] for row in src[1:]
    ]
    unlabelled = [[v for i, v in enumerate(row) if i not in label_cols] for row in src]
    _write(tmp_path / "flipped.csv", flipped)
    _write(tmp_path / "unlabelled.csv", unlabelled)
    outputs = []
    for name in ("flipped.csv", "unlabelled.csv"):
        out = tmp_path / f"out-{name}"
        assert run_classify(tmp_path / name, "twitter-v1", out).exit_code == 0
        outputs.append(out.read_text())
    run_classify(cresci, "twitter-v1", tmp_path / "orig.csv")
    assert outputs[0] == outputs[1] == (tmp_path / "orig.csv").read_text()


def test_instafake_label_flip_and_no_handles(datasets_dir, tmp_path):
    src_path = dataset_file(datasets_dir, "instafake/accounts_train.csv")
    src = _rows(src_path)
    li = src[0].index("isFake")
    _write(tmp_path / "f.csv", [src[0]] + [[*r[:li], str(1 - int(r[li]))] for r in src[1:]])
    assert run_classify(src_path, "instafake", tmp_path / "a.csv").exit_code == 0
    assert run_classify(tmp_path / "f.csv", "instafake", tmp_path / "b.csv").exit_code == 0
    a = (tmp_path / "a.csv").read_text()
    assert a == (tmp_path / "b.csv").read_text()
    rows = _rows(tmp_path / "a.csv")
    assert len(rows) == len(src) and all(r[1] == "" for r in rows[1:])


def test_genuine_format_with_missing_fields(tmp_path):
    _write(
        tmp_path / "accounts.csv",
        [
            [
                "platform",
                "handle",
                "followers_count",
                "following_count",
                "posts_count",
                "has_avatar",
                "bio",
            ],
            ["mastodon", "Alice@example.social", "3", "2900", "0", "false", ""],
            ["mastodon", "bob@example.social", "", "10", "5", "true", "hi"],
        ],
    )
    out = tmp_path / "out.csv"
    result = run_classify(tmp_path / "accounts.csv", "genuine", out)
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert rows[1][:2] == ["0", "alice@example.social"] and float(rows[1][2]) > 0.5
    # No follower count: no model can score it, so the cells stay empty rather than guessed.
    assert rows[2] == ["1", "bob@example.social", "", ""]


@pytest.mark.parametrize(
    "content",
    ["screen_name,followers_count\nx,1\n", "not,a,twitter,file\n1,2,3,4\n"],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, content):
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    result = run_classify(bad, "twitter-v1", tmp_path / "out.csv")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output


def test_train_writes_a_loadable_artefact(datasets_dir, tmp_path):
    src = dataset_file(datasets_dir, "cresci-2015/users_train.csv")
    rows = _rows(src)
    (tmp_path / "data" / "cresci-2015").mkdir(parents=True)
    # Every sixth account: about 520, humans and all three markets.
    _write(tmp_path / "data" / "cresci-2015" / "users_train.csv", [rows[0], *rows[1::6]])
    out = tmp_path / "model.json"
    result = CliRunner().invoke(
        model, ["train", "--data", str(tmp_path / "data"), "--output", str(out), "--repeats", "2"]
    )
    assert result.exit_code == 0, result.output
    spec = json.loads(out.read_text())
    assert [m["name"] for m in spec["models"]] == ["twitter"]
    twitter = spec["models"][0]
    assert twitter["n"] == len(rows[1::6]) and twitter["cv"]["split"]["repeats"] == 2
    assert set(twitter["cv"]["unseen_market_recall"]) == {"INT", "FSF", "TWT"}
    assert twitter["cv"]["summary"]["mcc"]["mean"] > 0.8
    result = run_classify(
        tmp_path / "data" / "cresci-2015" / "users_train.csv",
        "twitter-v1",
        tmp_path / "o.csv",
        "--model",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert len(_rows(tmp_path / "o.csv")) == len(rows[1::6]) + 1


def test_train_on_a_folder_without_datasets_is_exit_2(tmp_path):
    result = CliRunner().invoke(model, ["train", "--data", str(tmp_path)])
    assert result.exit_code == 2 and "no training file" in result.output
