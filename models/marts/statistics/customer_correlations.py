from customer_behavior import pipeline


def model(dbt, session):
    return pipeline.correlation_matrix(dbt.ref("customers").df())
