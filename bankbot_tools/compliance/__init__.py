"""Compliance prompts: the flows and their params (``flows``), rendering from the packaged
templates (``render``), and the checks behind ``compliance-test --all`` (``check``)."""
