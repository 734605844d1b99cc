"""`hosim serve`: the browser app and its JSON API (docs/web.md), over the same functions as the CLI."""
