"""The read API: jobs, articles, duplicates and translation groups, as other services consume them."""
