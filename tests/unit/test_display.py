from babelwire.display import visible


def test_bidi_controls_are_written_as_escapes_and_the_rest_kept():
    assert visible("invoice\u202etxt.exe") == "invoice\\u202etxt.exe"
    assert visible("a\u2066b\u2069c\u200fd\u061c") == "a\\u2066b\\u2069c\\u200fd\\u061c"
    # Joiners and ordinary right-to-left text are not controls: Persian and Hindi names keep them.
    assert visible("می\u200cخواهم خبر.txt") == "می\u200cخواهم خبر.txt"
    assert visible("क्\u200dष.txt") == "क्\u200dष.txt"
