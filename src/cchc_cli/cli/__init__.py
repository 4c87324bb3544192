"""The command-line shell: parses options, calls :mod:`cchc_cli.api`, renders results."""
