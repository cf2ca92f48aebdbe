from moderator.ui.stage import big_letters


def test_big_letters_wrap_to_the_width_and_drop_control_codes() -> None:
    lines = big_letters("Wann kommen die Paketstationen in die Innenstadt? \x1b[2J", 80)
    assert lines is not None and len(lines) >= 8  # several rows of five-row letters
    assert max(len(line) for line in lines) <= 80
    assert not any("\x1b" in line for line in lines)


def test_a_word_too_wide_for_big_letters_falls_back() -> None:
    assert big_letters("Donaudampfschifffahrtsgesellschaftskapitän", 40) is None
