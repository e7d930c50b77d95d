"""ui.lifecycle on a plain dict: the Playground's run without Streamlit."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from scratchnet.datasets import make_dataset, split
from ui import keys as K
from ui import lifecycle
from ui.settings import DEFAULTS, MAX_UI_EPOCHS, preset_values


def toy_data(dataset, n, noise, classes, test_ratio, seed):
    X, y = make_dataset(dataset, n, noise, seed, n_classes=classes if dataset == "spiral" else 2)
    return (*split(X, y, test_ratio, seed), classes if dataset == "spiral" else 2, None)


def session(**query) -> dict:
    state: dict = {}
    lifecycle.start(state, {k: str(v) for k, v in query.items()})
    return state


def ready(state: dict, **changes):
    """What a page run does before drawing: data, then the run for the settings."""
    values = {**state[K.SETTINGS], **changes}
    data, message = lifecycle.load_data(state, values, toy_data)
    run, error, restarted = lifecycle.current_run(state, values, data)
    lifecycle.restore(state, run)
    state[K.SETTINGS] = values
    return run, message or error, restarted


def test_start_reads_the_link_once():
    state = session(lr="0.3", h="8,4", epoch="5", play="1", hiden="2")
    assert state[K.SETTINGS]["learning_rate"] == 0.3 and state[K.SETTINGS]["hidden"] == (8, 4)
    assert state[K.widget("h1")] == 4 and state[K.widget("layers")] == 2
    assert state[K.RESTORE] == (5, True, []) and not state[K.PLAYING]
    (notice,) = state[K.NOTICES]
    assert notice == "Ignored the unknown link parameter 'hiden'. Did you mean 'hidden'?"
    assert 0.3 in state[K.OPTIONS]["learning_rate"]
    lifecycle.start(state, {"lr": "1"})  # a later run: the link is not read again
    assert state[K.SETTINGS]["learning_rate"] == 0.3


def test_a_link_replays_to_its_epoch_and_plays_on():
    state = session(epoch="3", play="1")
    run, _, _ = ready(state)
    assert run.epoch == 3 and state[K.PLAYING] and K.RESTORE not in state
    assert lifecycle.url_query(state, state[K.SETTINGS], run) == {"epoch": "3", "play": "1"}


def test_a_link_replays_the_changes_made_while_playing():
    state = session()
    run, _, _ = ready(state)
    run.trainer.run(epochs=1, max_steps=20)
    run.set_learning_rate(0.7)
    run.trainer.run(epochs=2, max_steps=50)
    run.set_weight(2, 3, 1, -4.25)
    run.set_learning_rate(0.05)
    run.trainer.run(epochs=3)
    state[K.SETTINGS]["learning_rate"] = 0.05  # the widget moved with the changes
    query = lifecycle.url_query(state, state[K.SETTINGS], run)
    assert query["ch"] == "0:lr:0.1,20:lr:0.7,70:w:2:3:1:-4.25,70:lr:0.05"
    opened = session(**query)  # the link in a new session
    replayed, message, _ = ready(opened)
    assert message is None and not opened[K.NOTICES]
    assert replayed.epoch == run.epoch
    np.testing.assert_array_equal(replayed.trainer.net.flat_params, run.trainer.net.flat_params)


def test_a_replay_of_a_link_has_the_lineage_of_the_run_it_was_copied_from():
    """The chart takes a replay for the run it shows when the lineages match (livechart
    ``lineage``, ``replayed``): the same for the link's replay, different for another rate,
    other changes or another network; and a run is "replayed" only until it is reset."""
    state = session(h="6")
    run, _, _ = ready(state)
    assert not lifecycle.replayed(state)  # a page opened without a link to replay
    run.trainer.run(epochs=1, max_steps=20)
    run.set_learning_rate(0.7)
    state[K.SETTINGS]["learning_rate"] = 0.7
    run.trainer.run(epochs=3)
    query = lifecycle.url_query(state, state[K.SETTINGS], run)
    opened = session(**query)  # a reconnect to another replica, with the link's copy
    replay, _, _ = ready(opened)
    assert lifecycle.replayed(opened)
    assert lifecycle.lineage(opened, replay) == lifecycle.lineage(state, run)
    other = session(**{**query, "ch": "0:lr:0.1,21:lr:0.7"})  # a change one step later
    assert lifecycle.lineage(other, ready(other)[0]) != lifecycle.lineage(state, run)
    other = session(**{**query, "h": "7"})
    assert lifecycle.lineage(other, ready(other)[0]) != lifecycle.lineage(state, run)
    lifecycle.reset(opened)
    ready(opened)
    assert not lifecycle.replayed(opened)  # Reset: a new run, which the chart starts afresh


@pytest.mark.parametrize("text", ["5:lr", "x:lr:0.1", "3:w:1:0:0", "4:speed:3", "-2:lr:0.1"])
def test_a_bad_change_in_the_link_is_named_and_left_out(text):
    state = session(ch=text, epoch="2")
    assert f"The link's change {text!r}" in state[K.NOTICES][0]
    run, _, _ = ready(state)
    assert run.epoch == 2 and run.changes == ()


def test_a_change_that_does_not_fit_the_network_is_named_and_left_out():
    state = session(ch="0:lr:0.1,10:w:5:0:0:1.0", epoch="2")
    run, _, _ = ready(state)
    assert "layer must be from 1 to 2" in state[K.NOTICES][-1]
    assert run.epoch == 2 and run.changes == ()


def test_a_bad_epoch_in_the_link_is_named():
    state = session(epoch=str(MAX_UI_EPOCHS + 1))
    assert state[K.RESTORE] is None
    assert f"up to {MAX_UI_EPOCHS}" in state[K.NOTICES][0]


def test_play_refuses_a_finished_or_diverged_run():
    state = session(epochs="1")
    run, _, _ = ready(state)
    lifecycle.toggle_play(state)
    assert state[K.PLAYING]
    lifecycle.toggle_play(state)
    assert not state[K.PLAYING]
    lifecycle.step(state)
    lifecycle.toggle_play(state)
    assert not state[K.PLAYING] and "Reached the epoch limit (1)" in state[K.NOTICES][-1]
    run.trainer.diverged = "blew up"
    lifecycle.toggle_play(state)
    assert not state[K.PLAYING] and "Lower the learning rate" in state[K.NOTICES][-1]


def test_step_holds_the_lock_while_it_trains():
    state = session()
    run, _, _ = ready(state)
    lock = threading.Lock()
    held = []
    step_epoch = run.step_epoch
    run.step_epoch = lambda: (held.append(lock.locked()), step_epoch())
    lifecycle.step(state, lock)
    assert held == [True] and run.epoch == 1 and not lock.locked()


def test_reset_replays_and_new_init_starts_elsewhere():
    state = session()
    first, _, _ = ready(state)
    lifecycle.step(state)
    weights = first.trainer.net.flat_params.copy()
    lifecycle.reset(state)
    again, _, restarted = ready(state)
    assert again is not first and again.epoch == 0
    assert not restarted  # a reset is what the student asked for: no "the network changed"
    lifecycle.step(state)
    np.testing.assert_array_equal(again.trainer.net.flat_params, weights)  # the same bits
    lifecycle.new_init(state)
    assert state[K.SETTINGS]["init_seed"] == 1 == state[K.widget("init_seed")]
    other, _, _ = ready(state)
    lifecycle.step(state)
    assert not np.array_equal(other.trainer.net.flat_params, weights)


def test_live_settings_change_the_run_in_place():
    state = session()
    run, _, _ = ready(state)
    first_id = state[K.RUN_ID]
    same, _, restarted = ready(state, learning_rate=0.3, epochs=50)
    assert same is run and not restarted
    assert run.params["learning_rate"] == 0.3 and run.epochs == 50
    other, _, restarted = ready(state, hidden=(3,))
    assert other is not run and restarted and state[K.RUN_ID] == first_id + 1


def test_two_sessions_number_their_runs_apart():
    # a page that reconnects to another server must not take its new run for the old one
    assert len({session()[K.RUN_ID] for _ in range(5)}) == 5


def test_bad_data_keeps_the_previous_data():
    state = session()
    ready(state)
    data = state[K.DATA]

    def broken(*signature):
        raise ValueError("No such data.")

    values = {**state[K.SETTINGS], "noise": 0.5}
    kept, message = lifecycle.load_data(state, values, broken)
    assert kept is data and message == "No such data. The previous data is kept."


def test_bad_data_at_the_start_falls_back_to_the_default_data():
    state = session(n="20")
    calls = []

    def picky(*signature):
        calls.append(signature)
        if signature[1] == 20:
            raise ValueError("Too few points.")
        return toy_data(*signature)

    data, message = lifecycle.load_data(state, state[K.SETTINGS], picky)
    assert message == "Too few points. Showing the default data instead."
    assert data[0][1] == DEFAULTS["n_samples"] and len(calls) == 2


def test_a_csv_before_any_upload_asks_for_one():
    state = session(data="csv")
    data, message = lifecycle.load_data(state, state[K.SETTINGS], toy_data)
    assert data is None and "Upload a CSV" in message


def test_an_invalid_network_keeps_the_previous_one():
    state = session()
    run, _, _ = ready(state)
    same, error, restarted = ready(state, init="nonsense")
    assert same is run and not restarted and "The previous network is kept." in error


def test_roll_back_puts_the_last_good_state_back_once():
    state = session()
    run, _, _ = ready(state)
    lifecycle.remember_good(state)
    bad = ready(state, noise=0.9)[0]
    assert bad is not run
    assert lifecycle.roll_back(state, "it broke")
    assert state[K.RUN] is run and state[K.SETTINGS]["noise"] == DEFAULTS["noise"]
    assert state[K.ERRORS] == ["it broke"] and not state[K.PLAYING]
    lifecycle.after_roll_back(state)
    assert state[K.widget("noise")] == DEFAULTS["noise"]
    assert not lifecycle.roll_back(state, "again")  # failing again right away: no loop
    lifecycle.remember_good(state)
    assert lifecycle.roll_back(state, "later")  # after a good run it may roll back again


def test_roll_back_without_a_good_state_says_so():
    state = session()
    assert not lifecycle.roll_back(state, "first run broke")
    assert state[K.ERRORS] == ["first run broke"]


def test_roll_back_refuses_the_file_that_broke_the_page():
    state = session()
    ready(state)
    lifecycle.remember_good(state)
    state[K.CSV] = {"digest": "abc", "bytes": b"", "columns": []}
    assert lifecycle.roll_back(state, "the file broke it")
    assert state[K.CSV] is None and state[K.CSV_REFUSED] == "abc"


@pytest.mark.parametrize("name", ["good-default", "tutorial-2-5-1"])
def test_a_preset_fills_settings_and_widgets(name):
    state = session()
    state[K.PRESET] = name
    lifecycle.apply_preset(state)
    expected = preset_values(name, DEFAULTS)
    assert state[K.SETTINGS] == expected
    assert state[K.widget("learning_rate")] == expected["learning_rate"]


def test_a_click_on_a_link_sets_that_weight_while_paused():
    state = session()
    run, _, _ = ready(state)
    lock = threading.Lock()
    lifecycle.apply_view_event(state, {"nonce": 1, "edit": [2, 5, 1, 0.75]}, lock)
    assert run.trainer.net.coefs[1][5, 1] == 0.75 and not lock.locked()
    run.trainer.net.coefs[1][5, 1] = 0.1
    lifecycle.apply_view_event(state, {"nonce": 1, "edit": [2, 5, 1, 0.75]})  # seen already
    assert run.trainer.net.coefs[1][5, 1] == 0.1


def test_a_weight_cannot_change_while_playing_or_out_of_range():
    state = session()
    run, _, _ = ready(state)
    state[K.PLAYING] = True
    before = run.trainer.net.flat_params.copy()
    lifecycle.apply_view_event(state, {"nonce": 1, "edit": [1, 0, 0, 5.0]})
    assert "Pause first" in state[K.NOTICES][-1]
    state[K.PLAYING] = False
    lifecycle.apply_view_event(state, {"nonce": 2, "edit": [1, 2, 0, 5.0]})  # 2 inputs only
    assert "links units 0..1 to 0..63" in state[K.NOTICES][-1]
    lifecycle.apply_view_event(state, {"nonce": 3, "edit": [1, 0, 0, float("nan")]})
    assert "finite" in state[K.NOTICES][-1]
    np.testing.assert_array_equal(run.trainer.net.flat_params, before)


def test_a_click_on_an_input_switches_that_feature():
    state = session()
    lifecycle.apply_view_event(state, {"nonce": 1, "feature": "x1^2"})
    assert state[K.SETTINGS]["features"] == ("x1", "x2", "x1^2")
    assert state[K.widget("features")] == ["x1", "x2", "x1^2"]
    lifecycle.apply_view_event(state, {"nonce": 2, "feature": "x1"})
    lifecycle.apply_view_event(state, {"nonce": 3, "feature": "x2"})
    assert state[K.SETTINGS]["features"] == ("x1^2",)
    lifecycle.apply_view_event(state, {"nonce": 4, "feature": "x1^2"})  # the last one stays
    assert state[K.SETTINGS]["features"] == ("x1^2",)
    assert "at least one input feature" in state[K.NOTICES][-1]


def test_a_fragment_run_knows_when_the_page_is_behind():
    state = session()
    ready(state)
    state[K.PAGE_INPUTS] = lifecycle.page_inputs(state)  # the page drew
    assert not lifecycle.page_is_behind(state)
    state[K.CHART] = {"epoch": 3, "session": "s"}  # the chart's report: the fragment's own
    assert not lifecycle.page_is_behind(state)
    lifecycle.toggle_play(state)  # Play's callback ran in a run of the fragment alone
    assert lifecycle.page_is_behind(state)
    state[K.PAGE_RUNNING] = True  # ... but in a whole page run the page is drawing it
    assert not lifecycle.page_is_behind(state)
    state[K.PAGE_RUNNING] = False
    state[K.PAGE_INPUTS] = lifecycle.page_inputs(state)
    state[K.widget("learning_rate")] = 3.0  # a slider moved in the same moment
    assert lifecycle.page_is_behind(state)


@pytest.mark.parametrize(
    "click",
    [lifecycle.step, lifecycle.reset, lifecycle.new_init, lifecycle.pin,
     lambda state: lifecycle.unpin(state, 0)],
    ids=["step", "reset", "new_init", "pin", "unpin"],
)  # fmt: skip
def test_a_button_clicked_in_a_fragment_run_leaves_the_page_behind(click):
    """ci39: two quick Steps, the second sent with the chart's report: it trained in a run
    of the fragment alone, and the link, the timeline and the view stayed an epoch behind."""
    state = session()
    ready(state)
    lifecycle.pin(state)  # something for unpin to remove
    state[K.PAGE_INPUTS] = lifecycle.page_inputs(state)  # the page drew
    assert not lifecycle.page_is_behind(state)
    click(state)
    assert lifecycle.page_is_behind(state)


def draw_page(state: dict) -> None:
    """What a whole page run does around drawing the widgets (pages/playground.page)."""
    state[K.PAGE_RUNNING] = True
    lifecycle.page_draws_widgets(state)
    state[K.PAGE_INPUTS] = lifecycle.page_inputs(state)
    state[K.PAGE_RUNNING] = False


def test_a_report_sent_before_the_browser_got_a_run_does_not_undo_the_apps_value():
    """ci41: a click on X2 in the network view turned it off and the page drew X1 alone;
    the chart's report, sent before the browser got that run, brought back both features
    (Streamlit puts the browser's widget values into the state), and the page ran again
    with X1 and X2 while the link said f=x1."""
    state = session()
    ready(state)
    draw_page(state)
    lifecycle.apply_view_event(state, {"nonce": 1, "feature": "x2"})
    draw_page(state)  # draws X1 alone
    state[K.widget("features")] = ["x1", "x2"]  # what the browser showed when it reported
    state[K.CHART] = {"epoch": 3, "session": "s"}
    lifecycle.keep_set_widgets(state)  # the fragment's run
    assert state[K.widget("features")] == ["x1"]
    assert not lifecycle.page_is_behind(state)

    state[K.widget("features")] = ["x2"]  # a value the app never wrote: the person's own
    lifecycle.keep_set_widgets(state)
    assert state[K.widget("features")] == ["x2"]
    assert lifecycle.page_is_behind(state)


def test_a_widget_the_app_set_is_only_kept_until_the_browser_has_drawn_it():
    state = session()
    ready(state)
    draw_page(state)
    lifecycle.new_init(state)
    seed = state[K.widget("init_seed")]
    draw_page(state)
    state[K.PAGE_RUNNING] = True  # a page run takes the browser's values as they come
    state[K.widget("init_seed")] = seed - 1
    lifecycle.keep_set_widgets(state)
    assert state[K.widget("init_seed")] == seed - 1
    state[K.PAGE_RUNNING] = False
    state[K.widget("init_seed")] = seed
    draw_page(state)  # a page run that set nothing: the old value is a person's choice again
    state[K.widget("init_seed")] = seed - 1
    lifecycle.keep_set_widgets(state)
    assert state[K.widget("init_seed")] == seed - 1


# -- regression (TF Playground's second problem type) ------------------------------------------
def upload(state: dict, text: str, label: str = "target") -> None:
    """What the page keeps of an uploaded file (csv_widgets), label and features picked."""
    columns = text.splitlines()[0].split(",")
    state[K.CSV] = {
        "name": "up.csv", "bytes": text.encode(), "digest": str(hash(text)), "columns": columns,
        "label": label, "features": tuple(c for c in columns if c != label),
    }  # fmt: skip


def numeric_csv(n: int = 60, scale: float = 1.0) -> str:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    y = scale * (X[:, 0] - 0.5 * X[:, 1])
    rows = (f"{a:.4f},{b:.4f},{t:.4f}" for (a, b), t in zip(X, y, strict=True))
    return "a,b,target\n" + "\n".join(rows)


def test_a_regression_run_predicts_numbers_on_the_value_scale():
    state = session(problem="regression")
    run, message, _ = ready(state)
    assert message is None and run.regression and run.n_classes is None
    assert run.trainer.net.output == "identity" and run.value_range == 1.0
    assert state[K.DATA][0][0] == "plane" and state[K.DATA][5:] == (None, None)
    run.step_epoch()
    assert {"train_r2", "test_r2"} <= set(run.metrics())


def test_switching_the_problem_type_picks_its_data_set_and_starts_again():
    state = session()
    run, _, _ = ready(state)
    state[K.widget("problem")] = "regression"
    lifecycle.switch_problem(state)
    assert state[K.SETTINGS]["dataset"] == state[K.widget("dataset")] == "plane"
    new, _, restarted = ready(state)
    assert new is not run and new.regression and restarted
    state[K.widget("problem")] = "classification"
    lifecycle.switch_problem(state)
    back, _, _ = ready(state)
    assert state[K.SETTINGS]["dataset"] == "moons" and not back.regression
    assert back.n_classes == 2


def test_a_csv_with_a_numeric_target_trains_a_regression_in_its_units():
    state = session(problem="regression", data="csv")
    upload(state, numeric_csv(scale=40.0))
    run, message, _ = ready(state)
    assert message is None and run.regression
    assert run.value_range == np.abs(run.y_train).max() > 10  # the file's own units
    run.step_epoch()
    assert run.epoch == 1


@pytest.mark.parametrize(
    ("last_row", "why"),
    [
        ("0.1,0.2,high", "expected a number to predict"),
        ("0.1,0.2,nan", "NaN"),
        (None, "same target value"),
    ],
)
def test_a_bad_csv_target_is_named_and_the_previous_data_kept(last_row, why):
    state = session(problem="regression", data="csv")
    upload(state, numeric_csv())
    run, _, _ = ready(state)
    good = state[K.DATA]
    if last_row is None:  # a constant target
        text = "a,b,target\n" + "\n".join(f"{i},{i % 7},3.5" for i in range(40))
    else:
        text = numeric_csv() + "\n" + last_row
    upload(state, text)
    same, message, _ = ready(state)
    assert why in message and message.endswith("The previous data is kept.")
    assert state[K.DATA] is good and same is run


def test_a_classifications_data_is_not_kept_for_a_regression():
    state = session(data="csv")
    upload(state, "a,b,target\n" + "\n".join(f"{i},{i % 5},c{i % 2}" for i in range(40)))
    ready(state)
    state[K.SETTINGS]["problem"] = "regression"  # its text labels are no numbers to predict
    data, message = lifecycle.load_data(state, state[K.SETTINGS], toy_data)
    assert "Showing the default data instead" in message and data[0][0] == "plane"


def test_a_preset_from_a_regression_returns_to_its_problem_type():
    state = session(problem="regression")
    state[K.PRESET] = "good-default"
    lifecycle.apply_preset(state)
    assert state[K.SETTINGS]["problem"] == state[K.widget("problem")] == "classification"
    run, _, _ = ready(state)
    assert not run.regression and run.n_classes == 2
