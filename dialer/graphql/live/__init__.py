"""The live view over GraphQL subscriptions: the same messages /ws sends (contract "WebSocket")."""
