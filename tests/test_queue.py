"""Staff deal articles into reviewers' queues; reviewers see their queue and progress."""

import re
from collections import Counter

import pytest

from annotator.models import ArticleReview, Assignment, Suggestions, SuggestionsDecided
from annotator.workqueue import plan_assignments, suggestion_conditions

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


def test_agreement_assignments_get_suggestions_off_and_single_ones_on():
    plan = plan_assignments(range(1, 11), [1, 2, 3], double_share=0.3, seed=7)
    doubled = {article for article, n in Counter(a for a, _ in plan).items() if n == 2}
    conditions = suggestion_conditions(plan, {}, at_random=False, seed=7)
    assert [(a, r) for a, r, _on, _drawn in conditions] == plan
    assert {(a, on, drawn) for a, _r, on, drawn in conditions} == {
        (a, a not in doubled, False) for a, _ in plan
    }


def test_an_article_dealt_before_to_someone_else_becomes_an_agreement_article():
    conditions = suggestion_conditions([(1, 2), (5, 2)], {1: {3}}, at_random=False, seed=1)
    assert conditions == [(1, 2, False, False), (5, 2, True, False)]


def test_random_conditions_are_drawn_per_agreement_assignment_and_reproducible():
    plan = plan_assignments(range(1, 41), [1, 2], double_share=1.0, seed=3)
    drawn = suggestion_conditions(plan, {}, at_random=True, seed=11)
    assert drawn == suggestion_conditions(plan, {}, at_random=True, seed=11)
    assert all(was_drawn for *_, was_drawn in drawn)
    on = [on for _a, _r, on, _drawn in drawn]
    assert 0 < sum(on) < len(on)  # 80 fair draws: both conditions occur
    other_seed = suggestion_conditions(plan, {}, at_random=True, seed=12)
    assert [on for _a, _r, on, _drawn in other_seed] != on
    single = suggestion_conditions([(1, 1)], {}, at_random=True, seed=11)
    assert single == [(1, 1, True, False)]


@pytest.mark.django_db
def test_staff_deal_agreement_articles_with_suggestions_at_random_recorded(alice, bob, carol):
    for n in range(8):
        make_article(body=f"Article number {n} says the port opened.")
    form = {"reviewers": [alice.pk, bob.pk], "double_share": 50, "seed": 5, "only_unassigned": "on"}
    staff = logged_in(carol)
    staff.post("/queue/", {**form, "agreement_suggestions": "random"})
    dealt = Assignment.objects.order_by("pk").values_list(
        "article_id", "reviewer_id", "suggestions", "suggestions_decided"
    )
    coders = Counter(article for article, *_ in dealt)
    for article, _reviewer, suggestions, decided in dealt:
        if coders[article] == 1:
            assert (suggestions, decided) == (Suggestions.ON, SuggestionsDecided.DEFAULT)
        else:
            assert decided == SuggestionsDecided.RANDOM
    first = list(dealt)
    Assignment.objects.all().delete()
    staff.post("/queue/", {**form, "agreement_suggestions": "random"})
    assert [row[2:] for row in dealt] == [row[2:] for row in first]  # the same seed, the same draw
    page = staff.get("/queue/").content.decode()
    assert page.count("(at random)") == sum(1 for n in coders.values() if n == 2) * 2


@pytest.mark.django_db
def test_staff_deal_agreement_articles_with_suggestions_off_by_default(alice, bob, carol):
    for n in range(4):
        make_article(body=f"Article number {n} says the port opened.")
    staff = logged_in(carol)
    staff.post(
        "/queue/",
        {"reviewers": [alice.pk, bob.pk], "double_share": 50, "seed": 3, "only_unassigned": "on"},
    )
    dealt = Assignment.objects.values_list("article_id", "suggestions", "suggestions_decided")
    coders = Counter(article for article, *_ in dealt)
    assert sorted((coders[a], s, d) for a, s, d in dealt) == [
        (1, "on", "default"),
        (1, "on", "default"),
        (2, "off", "default"),
        (2, "off", "default"),
        (2, "off", "default"),
        (2, "off", "default"),
    ]
    page = staff.get("/queue/").content.decode()
    assert page.count('data-suggestions="off"') == 4
    assert page.count('data-suggestions="on"') == 2
    assert staff.post("/queue/", {"agreement_suggestions": "sometimes"}).status_code == 200


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


@pytest.mark.django_db
def test_the_queue_page_lists_who_was_dealt_what_by_reviewer(alice, bob, carol):
    bridge = make_article(title="Bridge", body="The bridge opened today.")
    port = make_article(title="Port", body="The port opened today.")
    Assignment.objects.create(article=bridge, reviewer=alice, assigned_by=carol)
    Assignment.objects.create(article=port, reviewer=bob, assigned_by=carol)
    ArticleReview.objects.create(article=port, reviewer=bob).set_done(True)
    staff = logged_in(carol)
    every = staff.get("/queue/").content.decode()
    rows = re.findall(
        r"<tr>\s*<td><a [^>]*>(\w+)</a></td>\s*<td>(\w+)</td>\s*<td>.*?>([\w ]+)<", every
    )
    assert sorted(rows) == [("Bridge", "alice", "not done"), ("Port", "bob", "done")]
    only_bob = staff.get(f"/queue/?reviewer={bob.pk}").content.decode()
    assert ">Port</a>" in only_bob and ">Bridge</a>" not in only_bob
    refused = staff.get("/queue/?reviewer=carol")
    assert refused.status_code == 400 and "reviewer:" in refused.content.decode()


@pytest.mark.django_db
def test_a_done_article_links_to_the_next_in_the_reviewers_queue(alice, bob):
    first = make_article(title="First", body="The first article opened.", seed_file="a.txt")
    second = make_article(title="Second", body="The second article opened.", seed_file="b.txt")
    third = make_article(title="Third", body="The third article opened.", seed_file="c.txt")
    for article in (first, second, third):
        Assignment.objects.create(article=article, reviewer=alice)
    ArticleReview.objects.create(article=second, reviewer=alice).set_done(True)
    reviewer = logged_in(alice)
    assert "data-next-in-queue" not in reviewer.get(f"/articles/{first.pk}/").content.decode()
    response = reviewer.post(f"/articles/{first.pk}/done/", {"done": "1"}, follow=True)
    page = response.content.decode()
    assert re.search(rf'data-next-in-queue>.*href="/articles/{third.pk}/">Third<', page)
    reviewer.post(f"/articles/{third.pk}/done/", {"done": "1"})
    last = reviewer.get(f"/articles/{third.pk}/").content.decode()
    assert "data-next-in-queue" not in last  # the queue is done
    assert "data-next-in-queue" not in logged_in(bob).get(f"/articles/{first.pk}/").content.decode()
