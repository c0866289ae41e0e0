from localization import Frame, extract_signals

TRACEBACK = """Calling `Cart.total` crashes:

Traceback (most recent call last):
  File "/home/me/app.py", line 3, in <module>
    cart.total(150)
  File "/usr/lib/python3.11/site-packages/shop/cart.py", line 27, in total
    discounted = apply_discount(self.subtotal(), discount_percent)
  File "shop/pricing.py", line 7, in apply_discount
    raise ValueError("discount must be between 0 and 100 percent")
ValueError: discount must be between 0 and 100 percent
"""


def test_traceback_frames_drop_site_packages_prefix() -> None:
    signals = extract_signals(TRACEBACK)
    assert Frame("shop/cart.py", 27, "total") in signals.frames
    assert Frame("shop/pricing.py", 7, "apply_discount") in signals.frames
    assert signals.frames[0] == Frame("/home/me/app.py", 3, "<module>")


def test_exception_and_message() -> None:
    signals = extract_signals(TRACEBACK)
    assert signals.exceptions == ("ValueError",)
    assert signals.messages == ("discount must be between 0 and 100 percent",)


def test_pytest_short_frames() -> None:
    text = "src/pkg/mod.py:41: in convert\n    return int(x)\nE   TypeError: bad"
    signals = extract_signals(text)
    assert signals.frames == (Frame("src/pkg/mod.py", 41, "convert"),)


def test_paths_dotted_names_and_identifiers() -> None:
    text = (
        "In requests/sessions.py the method requests.sessions.Session.send ignores "
        "`max_retries`; HTTPAdapter and parse_url look fine, see setup.py."
    )
    signals = extract_signals(text)
    assert signals.paths == ("requests/sessions.py", "setup.py")
    assert "requests.sessions.Session.send" in signals.dotted
    assert "setup.py" not in signals.dotted
    assert {"max_retries", "HTTPAdapter", "parse_url"} <= set(signals.emphasized)
    assert "method" not in signals.identifiers


def test_code_block_identifiers_are_not_emphasized() -> None:
    text = "It fails:\n```python\nfrom shop import Cart\nCart('x').wrap_all()\n```\n"
    signals = extract_signals(text)
    assert "wrap_all" in signals.identifiers
    assert "wrap_all" not in signals.emphasized
    assert not signals.mentions_tests


def test_mentions_tests() -> None:
    assert extract_signals("The test suite fails on Windows").mentions_tests


def test_empty_text() -> None:
    signals = extract_signals("")
    assert signals.frames == () and signals.identifiers == () and signals.paths == ()


def test_quoted_strings_outside_code_blocks() -> None:
    text = (
        'It prints "Avoid using aliases in join condition" twice.\n```\n"not this one at all"\n```'
    )
    assert extract_signals(text).quoted == ("Avoid using aliases in join condition",)


def test_query_text_drops_environment_dumps() -> None:
    from localization.signals import query_text

    dump = "\n".join(f"pkg{i}: 1.{i}" for i in range(10))
    text = f"stack casts int32 to int64\n\nINSTALLED VERSIONS\n{dump}\nthanks: a lot\n\nend"
    cleaned = query_text(text)
    assert "pkg3" not in cleaned
    assert cleaned.startswith("stack casts int32 to int64\n") and cleaned.endswith("end")
    assert query_text("a: 1\nb: 2") == "a: 1\nb: 2"


def test_ipython_frames_are_read_with_their_function_name() -> None:
    text = (
        "File ~/env/lib/python3.9/site-packages/xarray/core/common.py:1815, in "
        "get_chunksizes(variables)\nFile ~/env/site-packages/xarray/core/dataset.py:2110, "
        "in Dataset.chunks(self)\n"
    )
    frames = extract_signals(text).frames
    assert [(f.path, f.line, f.function) for f in frames] == [
        ("xarray/core/common.py", 1815, "get_chunksizes"),
        ("xarray/core/dataset.py", 2110, "chunks"),
    ]


def test_title_words_and_component_tags() -> None:
    cases = {
        "[YouTube] Age-restricted videos fail": ("youtube",),
        "[MiTele]: Failed to parse JSON": ("mitele",),
        "order: dask order returns suboptimal ordering": ("order",),
        "feat(snowflake): support TO_DATE": ("snowflake",),
        "BUG: DataFrame.sum drops the index": (),  # a kind of change, not a place
        "CloudFlareStream says no formats": (),
    }
    for title, tags in cases.items():
        signals = extract_signals(f"{title}\n\nbody text")
        assert signals.tags == tags, title
        assert "body" not in signals.title
    assert "cloudflarestream" in extract_signals("CloudFlareStream says no formats").title


def test_checker_report_lines_give_messages() -> None:
    text = (
        'Wrong column\n```\ntest.py:5:13: error: Invalid location for ParamSpec "P"  [misc]\n'
        "main.py:21: note: See https://example.org\n"
        "index.rst:28: WARNING: more than one target found for cross-reference 'A'\n"
        "ERROR: a bare level word without a place is too vague\n```\n"
    )
    messages = extract_signals(text).messages
    assert 'Invalid location for ParamSpec "P"' in messages
    assert "See https://example.org" in messages
    assert "more than one target found for cross-reference 'A'" in messages
    assert not any("too vague" in m for m in messages)


def test_profiler_rows_are_frames() -> None:
    text = (
        "Building the model is slow\n```\n"
        "   ncalls  tottime  percall  cumtime  percall filename:lineno(function)\n"
        "    1    0.000    0.000    5.085    5.085 /src/sim/model/array_model.py:41(__init__)\n"
        "      100    0.100    0.001    4.000    0.040 {built-in method builtins.exec}\n```\n"
    )
    frames = extract_signals(text).frames
    assert frames == (Frame("/src/sim/model/array_model.py", 41, "__init__"),)


def test_permalinks_to_source_lines_are_links_not_frames() -> None:
    text = (
        "The check at https://github.com/org/shop/blob/4f3a9c1/shop/cart.py#L21 is wrong, "
        "as is https://gitlab.com/org/shop/-/blob/main/shop/pricing.py#L7-L9; "
        "https://github.com/org/shop/blob/main/README.md#L3 is prose."
    )
    signals = extract_signals(text)
    assert signals.links == (Frame("shop/cart.py", 21, ""), Frame("shop/pricing.py", 7, ""))
    assert signals.frames == ()
