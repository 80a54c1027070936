"""Errors of the article register."""

from patron.errors import error

ArticleNotFound = error(404, "ArticleNotFound", "No article with that articleNumber.")
