"""Helpers shared by the Streamlit pages: session-state keys and small widgets.

Pages import from here; nothing here does maths (that is scratchnet's job).
"""
