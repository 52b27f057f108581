from geo_api.cli import main

main()
