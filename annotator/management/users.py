"""``--user USERNAME``: the account a command's history rows name."""

from django.contrib.auth import get_user_model
from django.core.management import CommandError


def add_user_argument(parser, what):
    parser.add_argument(
        "--user",
        metavar="USERNAME",
        help=f"The account making the change: the history rows of {what} name it. "
        "Without it they name nobody.",
    )


def named_user(username, nothing_done):
    """The account ``--user`` names, None without one; an unknown name is refused with
    ``nothing_done`` said, before the command changes anything."""
    if username is None:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"There is no user named {username!r}: {nothing_done}")
    return user
