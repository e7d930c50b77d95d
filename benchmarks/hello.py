"""A hello-world Streamlit page: the baseline that bench_playground.py times the Playground
against (a title, a line of text and a button; nothing imported but Streamlit).

    streamlit run benchmarks/hello.py
"""

import streamlit as st

st.title("Hello")
st.write("A Streamlit page with nothing on it but this line and a button.")
if st.button("Say hello"):
    st.write("Hello!")
