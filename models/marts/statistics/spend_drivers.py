from customer_behavior import pipeline


def model(dbt, session):
    return pipeline.spend_drivers(dbt.ref("customers").df())
