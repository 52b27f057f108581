from warmmap_cli import main

main()
