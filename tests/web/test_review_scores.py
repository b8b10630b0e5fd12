"""Review scores: ASCII digits 1 to 5 only; any other digit is a form message, not a 500."""

import pytest

from genuine.directory.rules import CRITERIA
from tests.directory.helpers import csrf, submitted, user
from tests.web.test_auth import sign_in
from tests.web.test_review import rubric, status


@pytest.mark.parametrize("score", ["²", "٣", "0", "6", "3 ", "+3", "03"])
def test_scores_other_than_ascii_1_to_5_are_refused_with_a_message(app, client, score):
    sub_id = submitted(app, user(app, "jane@example.org"))
    user(app, "r1@example.org", "reviewer")
    sign_in(client, "r1@example.org")
    token = csrf(client.get(f"/review/{sub_id}").get_data(as_text=True))
    first = next(iter(CRITERIA))
    answer = client.post(f"/review/{sub_id}", data=rubric(token, **{f"score_{first}": score}))
    assert answer.status_code == 400
    assert "from 1 to 5" in answer.get_data(as_text=True)
    assert status(app, sub_id) == "under_review"
