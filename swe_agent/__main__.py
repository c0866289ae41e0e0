from swe_agent.cli import main

main()
