from dpi_safeguards.cli.main import main

main()
