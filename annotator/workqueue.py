"""Django-free planning of reviewers' work queues."""

import random


def plan_assignments(article_ids, reviewer_ids, double_share: float, seed: int):
    """Spread articles over reviewers, giving a share of them to a second reviewer.

    Articles are shuffled with ``seed`` (so a plan can be reproduced), dealt
    round-robin, and the first ``round(double_share * n)`` also go to the next
    reviewer in the rotation. Returns ``[(article_id, reviewer_id), ...]``.
    """
    if not reviewer_ids:
        return []
    if not 0 <= double_share <= 1:
        raise ValueError("The double-annotated share must be between 0 and 1.")
    articles = list(article_ids)
    random.Random(seed).shuffle(articles)
    doubled = round(double_share * len(articles)) if len(reviewer_ids) > 1 else 0
    plan = []
    for index, article_id in enumerate(articles):
        first = index % len(reviewer_ids)
        plan.append((article_id, reviewer_ids[first]))
        if index < doubled:
            plan.append((article_id, reviewer_ids[(first + 1) % len(reviewer_ids)]))
    return plan


def suggestions_on(dealt: dict, reviewer_id) -> bool:
    """Whether ``reviewer_id`` is shown suggestions on an article whose assignments are
    ``dealt`` (reviewer id -> its condition, True for on).

    Their own assignment's condition decides. Without one, suggestions are on unless
    the article was dealt to two or more reviewers: it is an agreement article, and a
    reviewer outside its queue should not code it with suggestions its coders may lack.
    """
    if reviewer_id in dealt:
        return dealt[reviewer_id]
    return len(dealt) < 2


def suggestion_conditions(plan, dealt_before, *, at_random: bool, seed: int):
    """Whether each planned assignment gets suggested spans: the anchoring-bias guard.

    An article dealt to two or more reviewers, counting this ``plan`` and
    ``dealt_before`` (article id -> the reviewer ids it was dealt to already), is an
    agreement article: its assignments get suggestions off, or, ``at_random``, on or
    off drawn for each in the plan's order from ``seed`` (the same plan and seed draw
    the same). Every other assignment gets them on. Returns
    ``[(article_id, reviewer_id, on, drawn), ...]``, ``drawn`` telling a random
    condition from a default one.
    """
    coders = {article_id: set(reviewers) for article_id, reviewers in dealt_before.items()}
    for article_id, reviewer_id in plan:
        coders.setdefault(article_id, set()).add(reviewer_id)
    draw = random.Random(f"suggestions:{seed}")
    conditions = []
    for article_id, reviewer_id in plan:
        if len(coders[article_id]) < 2:
            conditions.append((article_id, reviewer_id, True, False))
        elif at_random:
            conditions.append((article_id, reviewer_id, draw.random() < 0.5, True))
        else:
            conditions.append((article_id, reviewer_id, False, False))
    return conditions
