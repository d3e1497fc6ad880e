#!/usr/bin/env bash
# Every step of Filetrail's release pipeline (deploy/aws, dev.filetrail.aws.delivery.DeliveryPipelineStack), as
# `release.sh <step>`: install and build run from the source checkout; update, prepare, deploy and smoke run from the
# Release artifact that build made (this script is copied into it), so rolling a stage back to an earlier release
# re-runs exactly that release's steps with its image, assemblies and launcher.
# The variables each step reads are set by its CodeBuild project (see DeliveryPipelineStack).
set -euo pipefail

# The image step, in one place: Jib builds the launcher image and pushes it to the repository given as $1 (tag
# included). The full suite has just passed, so tests are not run again.
image_build() {
  mvn -B -ntp -pl deploy/launcher -am package jib:build -DskipTests -Dimage="$1" \
      -Djib.to.auth.username=AWS -Djib.to.auth.password="$(aws ecr get-login-password)"
}
# Where the build leaves the `filetrail` launcher (filetrail.jar with its libraries in lib/).
LAUNCHER_DIR=deploy/local/target

# Build only (Debian image): what .ci/run itself does not install.
install() {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openjdk-17-jdk-headless maven jq awscli >/dev/null
}

# Build: the full suite on the commit, its image, and everything the later steps deploy or run:
#   release/{staging,production,pipeline}/ cloud assemblies, release/image.txt, release/scripts/release.sh,
#   launcher/ (filetrail.jar and lib/, for the smoke check).
build() {
  : "${COMMIT_ID:?}" "${IMAGE_REPOSITORY:?}" "${STAGING_CONTEXT:?}" "${PRODUCTION_CONTEXT:?}" "${PIPELINE_CONTEXT:?}"
  bash .ci/run
  # The app below runs with -pl deploy/aws: its sibling modules come from the local repository.
  mvn -B -ntp -q -pl deploy/aws -am install -DskipTests
  local image="$IMAGE_REPOSITORY:$COMMIT_ID" found
  # Tags are immutable: a retried build finds its image and does not push again.
  if found=$(aws ecr describe-images --repository-name "${IMAGE_REPOSITORY#*/}" --image-ids imageTag="$COMMIT_ID" 2>&1); then
    echo "image $image exists: not pushed again"
  elif grep -q ImageNotFoundException <<<"$found"; then
    image_build "$image"
  else
    echo "$found" >&2
    return 1
  fi
  rm -rf release launcher
  mkdir -p release/scripts launcher
  local jar
  jar=$(ls "$PWD"/lambda-processors/target/*-lambda.jar)
  synth staging "$(with_artifacts "$STAGING_CONTEXT" "$image" "$jar")"
  synth production "$(with_artifacts "$PRODUCTION_CONTEXT" "$image" "$jar")"
  synth pipeline "$PIPELINE_CONTEXT"
  echo "$image" > release/image.txt
  cp "$0" release/scripts/release.sh
  cp "$LAUNCHER_DIR/filetrail.jar" launcher/
  cp -r "$LAUNCHER_DIR/lib" launcher/
}

# A stage's context plus this release's image and Lambda jar.
with_artifacts() {
  jq -c --arg image "$2" --arg jar "$3" '. + {imageUri: $image, lambdaJar: $jar}' <<<"$1"
}

# synth NAME CONTEXT_JSON: the CDK app with that context, written to release/NAME (the app reads CDK_CONTEXT_JSON
# and CDK_OUTDIR as it does under the CDK CLI).
synth() {
  CDK_CONTEXT_JSON="$2" CDK_OUTDIR="$PWD/release/$1" JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 \
      mvn -B -ntp -q -pl deploy/aws compile exec:java
}

# UpdatePipeline and each stage's Deploy: the stacks of one assembly, through the roles `cdk bootstrap` made.
deploy() {
  : "${CDK_VERSION:?}" "${ASSEMBLY:?}" "${STACKS:?}"
  # shellcheck disable=SC2086 # STACKS is a list of stack names
  npx --yes "aws-cdk@$CDK_VERSION" deploy --app "$ASSEMBLY" --require-approval never --progress events $STACKS
}
update() {
  deploy
}

# Before a stage's Deploy: the topics and the database migrations of the new release, run by the new image as
# one-off ops tasks, so no service of the new version starts before they are in place.
prepare() {
  : "${RELEASE_ROLE_ARN:?}"
  assume "$RELEASE_ROLE_ARN" release
  use_stage release
  local image
  image=$(cat image.txt)
  ops_task "$image" '["topics","create"]'
  ops_task "$image" '["migrate"]'
}

# After staging's Deploy: `filetrail smoke` against the stage with a key that exists only for this check. The key
# is made here; only its id and hash reach the stage (through an ops task), and it is revoked whatever happens.
smoke() {
  : "${RELEASE_ROLE_ARN:?}" "${SMOKE_ROLE_ARN:?}" "${CODEBUILD_SRC_DIR_Launcher:?}"
  assume "$RELEASE_ROLE_ARN" release
  assume "$SMOKE_ROLE_ARN" smoke
  use_stage release
  local key id
  key=$(filetrail keys generate --json)
  id=$(jq -r .id <<<"$key")
  ops_task "" "$(jq -c --arg name "smoke-${CODEBUILD_BUILD_NUMBER:-0}" \
      '["keys","create","--name",$name,"--scopes","read","--id",.id,"--secret-sha256",.secretSha256]' <<<"$key")"
  # shellcheck disable=SC2064 # the id is fixed now
  trap "ops_task '' '[\"keys\",\"revoke\",\"$id\"]'" EXIT
  # Empty S3_ENDPOINT and keys select AWS and the default credential chain, here the smoke role's profile.
  AWS_PROFILE=smoke S3_ENDPOINT= AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= \
      FILETRAIL_API_KEY="$(jq -r .plaintext <<<"$key")" \
      filetrail smoke --api "$(output ApiUrl)" --bucket "$(output SourceBucketName)"
}

filetrail() {
  java -jar "$CODEBUILD_SRC_DIR_Launcher/filetrail.jar" "$@"
}

# assume ROLE_ARN PROFILE: the role's credentials as a named profile (the CLI and the Java SDK both read it).
assume() {
  local creds
  creds=$(aws sts assume-role --role-arn "$1" --role-session-name "${PIPELINE_NAME:-filetrail}-$2-${CODEBUILD_BUILD_NUMBER:-0}" \
      --query Credentials --output json)
  aws configure set aws_access_key_id "$(jq -r .AccessKeyId <<<"$creds")" --profile "$2"
  aws configure set aws_secret_access_key "$(jq -r .SecretAccessKey <<<"$creds")" --profile "$2"
  aws configure set aws_session_token "$(jq -r .SessionToken <<<"$creds")" --profile "$2"
}

# Later calls act on the stage: its region (CodeBuild sets the pipeline's, which the environment would otherwise win
# over the profile with) and the given profile.
use_stage() {
  export AWS_PROFILE="$1" AWS_REGION="${STAGE_REGION:?}" AWS_DEFAULT_REGION="$STAGE_REGION"
}

# output KEY: one output of the stage's stack.
output() {
  [ -f outputs.json ] || aws cloudformation describe-stacks --stack-name "${STACK:?}" \
      --query 'Stacks[0].Outputs' --output json > outputs.json
  jq -er --arg key "$1" '.[] | select(.OutputKey == $key) | .OutputValue' outputs.json
}

# ops_task IMAGE COMMAND_JSON: one `filetrail` ops command as a one-off Fargate task of the stage's ops task
# definition, or with IMAGE of a revision of it that runs IMAGE instead (same roles, settings and secrets); prints
# the task's log and fails when the command did.
ops_task() {
  local image=$1 command=$2 definition cluster task code
  definition=$(output OpsTaskDefinitionArn)
  cluster=$(output EcsClusterName)
  if [ -n "$image" ]; then
    aws ecs describe-task-definition --task-definition "$definition" --query taskDefinition --output json \
      | jq --arg image "$image" '{family, taskRoleArn, executionRoleArn, networkMode, requiresCompatibilities, cpu,
            memory, runtimePlatform, volumes, containerDefinitions: [.containerDefinitions[] | .image = $image]}
            | with_entries(select(.value != null))' > ops-task.json
    definition=$(aws ecs register-task-definition --cli-input-json file://ops-task.json \
        --query taskDefinition.taskDefinitionArn --output text)
  fi
  task=$(aws ecs run-task --cluster "$cluster" --task-definition "$definition" --launch-type FARGATE \
      --started-by "${PIPELINE_NAME:-filetrail}" \
      --network-configuration "awsvpcConfiguration={subnets=[$(output PrivateSubnetIds)],securityGroups=[$(output OpsSecurityGroupId)],assignPublicIp=DISABLED}" \
      --overrides "{\"containerOverrides\":[{\"name\":\"ops\",\"command\":$command}]}" \
      --query 'tasks[0].taskArn' --output text)
  if [ -z "$task" ] || [ "$task" = None ]; then
    echo "filetrail $command: ECS started no task" >&2
    return 1
  fi
  echo "filetrail $command: task ${task##*/} of $definition"
  until [ "$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].lastStatus' --output text)" = STOPPED ]; do
    sleep 10
  done
  aws logs get-log-events --log-group-name "$(output OpsLogGroupName)" --log-stream-name "ops/ops/${task##*/}" \
      --start-from-head --query 'events[].message' --output text | tr '\t' '\n' || echo "(no log)"
  code=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].containers[0].exitCode' --output text)
  if [ "$code" != 0 ]; then
    echo "filetrail $command exited $code: $(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" \
        --query 'tasks[0].stoppedReason' --output text)" >&2
    return 1
  fi
}

case "${1:-}" in
  install | build | update | deploy | prepare | smoke) "$1" ;;
  *) echo "usage: release.sh install|build|update|deploy|prepare|smoke" >&2; exit 2 ;;
esac
