"""Per-source profiles: how reviewers' spans become the figures pages and the API show."""
