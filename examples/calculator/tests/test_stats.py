from calculator.stats import mean, median, mode


def test_mean():
    assert mean([1, 2, 3, 4]) == 2.5


def test_median_odd():
    assert median([3, 1, 2]) == 2


def test_median_even():
    assert median([4, 1, 3, 2]) == 2.5
    assert median([10, 1, 3, 2]) == 2.5  # the mean of these is 4: the mean is no median


def test_mode_ties():
    assert mode([1, 2, 2, 1, 3]) == 1
