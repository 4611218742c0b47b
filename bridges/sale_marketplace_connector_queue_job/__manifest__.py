{
    "name": "Marketplace Connector: jobs with OCA queue_job",
    "summary": "Import and send each marketplace account's orders as queue_job jobs, a channel "
    "per backend",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "sale_marketplace_connector developers",
    "website": "https://github.com/sale-marketplace-connector/sale_marketplace_connector",
    "license": "LGPL-3",
    "depends": ["sale_marketplace_connector", "queue_job"],
    "data": [
        "data/queue_job_data.xml",
    ],
    "installable": True,
    "auto_install": True,
    "application": False,
}
