"""Where to build next: maximal covering and set covering with the open stations fixed."""
