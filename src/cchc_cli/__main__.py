from cchc_cli.cli.app import main

main()
