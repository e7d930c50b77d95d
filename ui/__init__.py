"""What the Streamlit pages share: the settings table (`settings`) and the session keys (`keys`).

Pages import from here; nothing here does maths (that is scratchnet's job).
"""
