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
