"""Shared test set-up.

scikit-learn's array-API estimator check only runs when SCIPY_ARRAY_API=1 is set before
SciPy is first imported; set it here so that check runs instead of skipping itself.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")
