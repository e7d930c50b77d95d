"""What runs beside Streamlit in the app's server process.

* ``frames``: the ``/scratchnet/frame/<token>`` route that feeds playing pages their
  frames, the registry of live runs, the pacer that shares the CPU among pages, and the
  sweeper that releases the runs of students who left.
* ``memory``: glibc's arenas and ``malloc_trim``, and Streamlit's expired sessions.
* ``internals``: every name of Streamlit's or asyncio's that they do not publish, each with
  a fallback for when a release renames it.

Nothing here draws a widget; the pages (``pages/``) and the settings table (``ui/``) call in.
"""
