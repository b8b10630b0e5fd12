"""The consultant directory: who may decide what (rules), how decisions are made and recorded
(workflow, log), what is published (export). The web pages and the API only call into here."""
