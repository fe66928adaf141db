"""Search in the learner's language: which text-search rules each language uses, the pages a
query finds (native results first, then English ones), and the search page."""
