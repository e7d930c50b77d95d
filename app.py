"""scratchnet's Streamlit entry point: page config and navigation.

    streamlit run app.py
"""

import streamlit as st

st.set_page_config(page_title="scratchnet", page_icon="🧠", layout="wide")

pages = [
    st.Page("pages/playground.py", title="Playground", icon="🎛️", default=True),
    st.Page("pages/experiments.py", title="Experiments", icon="📊", url_path="experiments"),
]
st.navigation(pages).run()
