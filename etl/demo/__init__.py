"""The demo dataset: generated into ordinary input files, then loaded like a user's data.

It sits on top of the pipeline (it calls ``etl.load.load_file``); nothing in the pipeline
imports it.
"""
