"""AI diagnosis for the app: gather the case (live session, recording, simulator), run the agents
within the time budget, store the result, the verdicts and the follow-up chat."""
