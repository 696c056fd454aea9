"""The ``symbackprop`` command line: click commands that parse, call one library function,
print and exit with 0, 1 or 2. May import every other stage; nothing imports it.
"""
