import pytest

from genuine.formats import FormatError, read
from genuine.formats.instafake import REQUIRED
from tests.helpers import write_csv


def test_maps_columns_and_ignores_label(tmp_path):
    path = write_csv(
        tmp_path / "i.csv",
        [*REQUIRED, "isFake"],
        [[25, 1937, 0, 0, 1, 1, 0, 10, 1], [25, 1937, 0, 0, 1, 1, 0, 10, 0]],
    )
    first, second = (r.values for r in read(path, "instafake"))
    assert first == second
    assert first["platform"] == "instagram" and first["handle"] is None
    assert first["followers_count"] == 25 and first["following_count"] == 1937
    assert first["has_avatar"] is True and first["is_private"] is True
    assert first["created_at"] is None
    assert first["extra"] == {"username_length": 10, "username_digits": 0, "bio_length": 0}


def test_empty_count_is_an_error(tmp_path):
    path = write_csv(tmp_path / "i.csv", REQUIRED, [[1, 2, 3, 4, 1, 0, 0, ""]])
    with pytest.raises(FormatError, match="'usernameLength' is empty"):
        list(read(path, "instafake"))


def test_real_instafake_file(datasets_dir):
    records = list(read(datasets_dir / "instafake" / "accounts_train.csv", "instafake"))
    assert len(records) == 813
