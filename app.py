"""scratchnet's Streamlit entry point: page config and navigation.

    streamlit run app.py

``streamlit run`` finds the ``app`` below and serves it: Streamlit itself, plus the
route that feeds playing pages their frames (``server/frames.py``). Each browser session
then runs this file as its script (``__name__ == "__main__"``), which draws the pages.
"""

# Besides what the app needs itself, the heavy modules a first page load would otherwise wait
# for are imported here, when the server loads this file (Streamlit's component machinery
# pulls in pandas and pyarrow on first use; scratchnet.live pulls in SciPy).
import pandas  # noqa: F401
import pyarrow  # noqa: F401
import streamlit as st
import streamlit.components.v1

import livechart  # noqa: F401
import scratchnet.live  # noqa: F401
from server import frames, internals, memory

app = st.App(__file__, routes=frames.routes(), lifespan=memory.lifespan)
frames.mark_serving()
frames.disable_nagle()
internals.deliver_runs_in_order()  # a run's end is never lost to a rerun
memory.limit_arenas()
frames.start_sweeper()
internals.no_pages_directory()  # the pages are st.navigation's below, not the pages/ folder

if __name__ == "__main__":
    st.set_page_config(page_title="scratchnet", page_icon=":material/hub:", layout="wide")
    pages = [
        st.Page("pages/playground.py", title="Playground", icon=":material/tune:", default=True),
        st.Page(
            "pages/under_the_hood.py",
            title="Under the hood",
            icon=":material/functions:",
            url_path="under-the-hood",
        ),
        st.Page(
            "pages/experiments.py",
            title="Experiments",
            icon=":material/science:",
            url_path="experiments",
        ),
    ]
    st.navigation(pages).run()
