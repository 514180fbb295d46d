"""Staff deal articles into reviewers' queues; reviewers see their queue and progress."""

from collections import Counter

import pytest

from annotator.models import ArticleReview, Assignment
from annotator.workqueue import plan_assignments

from .conftest import logged_in, make_article


def test_plan_spreads_articles_and_doubles_the_chosen_share():
    plan = plan_assignments(range(1, 11), [1, 2, 3], double_share=0.3, seed=7)
    per_article = Counter(article for article, _ in plan)
    assert sorted(per_article) == list(range(1, 11))
    assert sum(1 for n in per_article.values() if n == 2) == 3
    assert all(n in (1, 2) for n in per_article.values())
    assert len(set(plan)) == len(plan)
    load = Counter(reviewer for _, reviewer in plan)
    assert max(load.values()) - min(load.values()) <= 1
    assert plan == plan_assignments(range(1, 11), [1, 2, 3], double_share=0.3, seed=7)


def test_plan_refuses_a_share_outside_zero_to_one():
    with pytest.raises(ValueError, match="between 0 and 1"):
        plan_assignments([1], [1], double_share=1.5, seed=1)


def test_a_single_reviewer_gets_no_doubles():
    assert sorted(plan_assignments([1, 2], [9], double_share=1.0, seed=1)) == [(1, 9), (2, 9)]


@pytest.mark.django_db
def test_staff_deal_queues_and_reviewers_see_progress(alice, bob, carol):
    for n in range(4):
        make_article(body=f"Article number {n} says the port opened.")
    staff = logged_in(carol)
    response = staff.post(
        "/queue/",
        {"reviewers": [alice.pk, bob.pk], "double_share": 50, "seed": 3, "only_unassigned": "on"},
    )
    assert response.status_code == 302
    assert Assignment.objects.count() == 6
    assert Assignment.objects.values("article").distinct().count() == 4

    mine = Assignment.objects.filter(reviewer=alice)
    ArticleReview.objects.create(article=mine.first().article, reviewer=alice).set_done(True)
    reviewer = logged_in(alice)
    page = reviewer.get("/articles/").content.decode()
    assert f"<strong>1 of {mine.count()}</strong>" in page
    assert "in your queue" in page
    progress = staff.get("/queue/").content.decode()
    assert "alice" in progress and "bob" in progress


@pytest.mark.django_db
def test_dealing_again_skips_assigned_articles(alice, bob, carol):
    make_article(body="One article about a bridge that opened today.")
    staff = logged_in(carol)
    form = {"reviewers": [alice.pk, bob.pk], "double_share": 0, "seed": 1, "only_unassigned": "on"}
    staff.post("/queue/", form)
    staff.post("/queue/", form)
    assert Assignment.objects.count() == 1


@pytest.mark.django_db
def test_reviewers_cannot_deal_queues(alice):
    client = logged_in(alice)
    assert client.get("/queue/").status_code == 403
