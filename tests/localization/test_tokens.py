from localization import tokenize
from localization.tokens import split_identifier


def test_split_identifier_snake_camel_digits() -> None:
    assert split_identifier("parse_url") == ["parse", "url"]
    assert split_identifier("HTTPServerError2") == ["http", "server", "error", "2"]
    assert split_identifier("getHTTPResponse") == ["get", "http", "response"]


def test_tokenize_keeps_whole_compounds_and_drops_stopwords() -> None:
    tokens = tokenize("The Session.send_request method of requests")
    assert "send_request" in tokens
    assert {"session", "send", "request", "method", "requests"} <= set(tokens)
    assert "the" not in tokens and "of" not in tokens


def test_words_also_give_their_stem_so_word_forms_meet() -> None:
    assert "intersect" in tokenize("intersection of two sets")
    assert "intersection" in tokenize("intersection")
    assert tokenize("parse_url")[:2] == ["parse", "url"]
    assert "pars" in tokenize("parsing")
