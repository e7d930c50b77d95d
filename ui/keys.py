"""Every session-state key the app uses, named in one place.

A page never writes a string literal into ``st.session_state``: it uses these names,
so two pages cannot collide and a search finds every reader and writer.
"""

# -- Playground (pages/playground.py) ------------------------------------------------------
SETTINGS = "pg_settings"  # dict: the settings in force (ui.settings keys -> values)
RUN = "pg_run"  # scratchnet.live.LiveRun: the network training now
RUN_SIGNATURE = "pg_run_signature"  # ui.settings.reset_signature of the settings RUN was built from
RUN_ID = "pg_run_id"  # int, random at a session's start, +1 on every reset (the chart clears
#                       its curves when it changes, and keeps no picture of another run)
DATA = "pg_data"  # (signature, X_train, X_test, y_train, y_test, n_classes, class_names) in use
POINTS_REV = "pg_points_rev"  # int, +1 whenever the data points change
PLAYING = "pg_playing"  # bool
NOTICES = "pg_notices"  # list[str]: warnings to show once (bad link parameters, resets)
CSV = "pg_csv"  # dict: the uploaded file's name, bytes and columns
CSV_ERROR = "pg_csv_error"  # str | None: why the last upload was refused
CSV_REFUSED = "pg_csv_refused"  # str: digest of a file the page failed to draw (not read again)
ERRORS = "pg_errors"  # list[str]: errors to show once (a page run that failed, rolled back)
GOOD = "pg_good"  # dict: what the last page run that drew without an error held
ROLLED_BACK = "pg_rolled_back"  # bool: the last run failed and the good state was put back
REWRITE_WIDGETS = "pg_rewrite_widgets"  # bool: put SETTINGS into the widgets on the next run
PRESET = "pg_preset"  # the preset selector's value
OPTIONS = "pg_options"  # dict: the fixed option lists of the select sliders, for the session
RESTORE = "pg_restore"  # (epoch, playing, changes) from the link, applied once to the first run
REPLAYED = "pg_replayed"  # int: RUN_ID of the run rebuilt from the link (its chart may be ahead)
URL_SYNCED = "pg_url_synced"  # time.monotonic() of the last write of the link
FRAME_TOKEN = "pg_frame_token"  # str: this session's token for server.frames (the frame route)
STOPPED_SEEN = "pg_stopped_seen"  # (chart session, count): the chart's last "stopped" report
TICK_COST = "pg_tick_cost"  # float: smoothed seconds a tick takes (sets the pace)
PAGE_INPUTS = "pg_page_inputs"  # what the last whole page run drew from (lifecycle.page_inputs)
CLICKS = "pg_clicks"  # int: how many times a button's callback ran (lifecycle.clicked)
PAGE_RUNNING = "pg_page_running"  # bool: a whole page run is under way (not a fragment's alone)
WRITTEN = "pg_written"  # {widget key: (before, value)} the app put in since the last page run
DRAWN_WRITES = "pg_drawn_writes"  # WRITTEN as the last page run took it (keep_set_widgets)
WIDGET_PREFIX = "pg_w_"  # widget keys: WIDGET_PREFIX + a ui.settings key
CHART = "boundary"  # the live chart's key; livechart also keeps "_livechart_boundary"
VIEW = "pg_network"  # the network view's key (netview): its value is the last click in it
PINS = "pg_pins"  # list of {"settings", "run"}: runs kept to compare with (ui.lifecycle.pin)
REWIND = "pg_rewind"  # int | None: the past epoch the timeline shows (None: the newest)
TIMELINE = "pg_timeline"  # the timeline slider's key prefix (+ run id and newest epoch)
VIEW_SEEN = "pg_network_seen"  # int: the nonce of the last click applied


def widget(setting: str) -> str:
    """The widget key for a setting of ui.settings."""
    return WIDGET_PREFIX + setting


# -- Under the hood (pages/under_the_hood.py): the Playground's RUN, explained ----------------
HOOD_SET = "hood_set"  # widget: "test" or "training", where the followed point is from
HOOD_POINT = "hood_point"  # widget prefix (+ "_test"/"_training"): the point's number, from 1
HOOD_PLOT = "hood_plot"  # the plot of the points: a click on one selects it (its selection)
HOOD_LAYER = "hood_layer"  # widget: the layer of the weight followed (1 = the first hidden)
HOOD_FROM = "hood_from"  # widget prefix (+ "_<layer>"): the unit the weight comes from, from 1
HOOD_TO = "hood_to"  # widget prefix (+ "_<layer>"): the unit it goes to, from 1
HOOD_STEPPED = "hood_stepped"  # dict: the weight, before and after the last step taken here
HOOD_CHECK = "hood_check"  # dict: the last gradient check's largest error and what it checked

# -- Experiments (pages/experiments.py) ----------------------------------------------------
EX_KIND = "ex_kind"  # the experiment shown: a key of pages/experiments.py's KINDS
EX_PRESET = "ex_preset"  # the preset selector's value
EX_TASK = "ex_task"  # widget: the problem type, "classification" or "regression"
EX_DATASET = "ex_dataset"  # widget: one of scratchnet.datasets.DATASETS (REGRESSION_DATASETS)
EX_SAMPLES = "ex_samples"  # widget: int, points in the data set
EX_NOISE = "ex_noise"  # widget: float
EX_ACTIVATION = "ex_activation"  # widget: the hidden layer's activation
EX_EPOCHS = "ex_epochs"  # widget: int, epochs of the neurons sweep and the grid
EX_RUN_EPOCHS = "ex_run_epochs"  # widget: int, epochs of the repeated runs
EX_BATCH = "ex_batch"  # widget: int (at least the training set: full batch)
EX_LR = "ex_lr"  # widget: float, the learning rate of the neurons sweep and repeated runs
EX_MIN_NEURONS = "ex_min_neurons"  # widget: int
EX_MAX_NEURONS = "ex_max_neurons"  # widget: int
EX_TRIALS = "ex_trials"  # widget: int, networks per hidden size
EX_HIDDEN = "ex_hidden"  # widget: int, the hidden size of the repeated runs
EX_RUNS = "ex_runs"  # widget: int, how many repeated runs
EX_RATES = "ex_rates"  # widget: list[float], the learning rates of the grid
EX_RUN = "ex_run"  # dict | None: the sweep under way (scratchnet.sweep.Sweep and its setting)
EX_CANCEL = "ex_cancel"  # the Cancel button
EX_RESULTS = "ex_results"  # dict: experiment kind (pages/experiments.py result_key: with
#                            "regression " before it for a regression) -> its last result
EX_CACHE = "ex_cache"  # dict: settings -> DataFrame of a finished sweep, newest last
EX_NOTICE = "ex_notice"  # str | None: a note to show once (a cancel that kept nothing)
EX_ERROR = "ex_error"  # str | None: why the last Run did not start, shown once
EX_RUNNER = "ex_runner"  # scratchnet.sweep.SweepRunner: where this server trains sweeps
EX_RESUME = "ex_resume"  # the "Finish on this machine" button of a sweep whose cluster failed
EX_KEEP = "ex_keep"  # the "Keep what finished" button of a sweep whose cluster failed
