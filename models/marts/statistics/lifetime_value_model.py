from customer_behavior import pipeline


def model(dbt, session):
    _, parameters = pipeline.lifetime_value(dbt.ref("orders").df())
    return parameters
