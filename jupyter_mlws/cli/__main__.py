from jupyter_mlws.cli import main

main()
