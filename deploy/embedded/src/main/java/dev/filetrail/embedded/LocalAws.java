package dev.filetrail.embedded;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** The credentials and region the local S3 and SQS servers accept (fixed by ARCHITECTURE.md). */
public final class LocalAws {
    public static final String ACCESS_KEY = "filetrail";
    public static final String SECRET_KEY = "filetrail-local-secret";
    public static final Region REGION = Region.US_EAST_1;
    public static final String ACCOUNT_ID = "000000000000";

    private LocalAws() {
    }

    public static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }
}
