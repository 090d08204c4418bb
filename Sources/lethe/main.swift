import Host; LetheCLI.main()
