"""What a clerk asks of one report, done once for both faces (the command line and the site): each module a workflow, each sentence a clerk reads written once."""
