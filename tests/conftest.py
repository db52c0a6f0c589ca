"""Settings every test shares."""

import os

# Child keys are HMACs under a secret key (pipelines/keys.py); the tests use this fixed one, so
# no test creates a key file in the home folder. Set before any test runs, so the subprocesses
# that run the CLI inherit it. A test of the key rules sets or removes it itself.
TEST_HASH_KEY = "5f0e2a9c41b7d3e8" "a2c94f1d6b803e7c" "19d4e6a0b3f2c758" "e1a7c3094bd26f58"
os.environ["TUMBUH_HASH_KEY"] = TEST_HASH_KEY
