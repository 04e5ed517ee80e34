"""The AI diagnosis: LangGraph agents over Gemini, and the offline expert."""
