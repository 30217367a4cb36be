"""Scripts that print figures about the project (quality, scale, determinism, API timing).

Run each as a module from the repository root (``python -m benchmarks.<name>``); see
``benchmarks/README.md``. Not part of the installed packages: nothing in ``extract`` or
``lookup`` imports from here. The tests in ``tests/python`` that guard the same properties
at small scale import some of these modules (the lake generator, the reference KD-tree, the
similarity methods, the determinism check, its mart comparison and duplicate counts);
``time_api_extract`` imports the test fakes.
"""
